# A small stateful function worker for the Medes demo: builds state from its input, says
# "ready", then idles until its stdin closes (the moment a platform would deduplicate it).
import json
import random
import sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
random.seed(seed)
state = {
    "users": [{"id": i, "name": "user%d" % i, "score": random.random(), "tags": ["t%d" % (i % 17)] * (i % 5)}
              for i in range(20000 + seed % 1000)],
}
index = {u["name"]: u for u in state["users"]}
blob = json.dumps(state["users"][:2000])
sys.stdout.write("ready %d\n" % len(index))
sys.stdout.flush()
sys.stdin.readline()
