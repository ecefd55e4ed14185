// A small stateful function worker for the Medes demo (Node.js): builds state from its input,
// says "ready", then idles until its stdin closes.
const seed = Number(process.argv[2] || 1);
let x = seed;
const rnd = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
const users = [];
for (let i = 0; i < 20000 + seed % 1000; i++) {
  users.push({ id: i, name: 'user' + i, score: rnd(), tags: Array(i % 5).fill('t' + (i % 17)) });
}
const index = new Map(users.map(u => [u.name, u]));
const blob = JSON.stringify(users.slice(0, 2000));
process.stdout.write('ready ' + index.size + ' ' + blob.length + '\n');
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
