#!/bin/sh
# Runs PatchCodecSurvey on live process pairs (needs root to read their memory).
# Usage: medes-core/survey.sh [python] [node]
set -e
cd "$(dirname "$0")/.."
mvn -q -o -pl medes-core test-compile dependency:build-classpath -Dmdep.outputFile=target/survey.cp -Dmdep.includeScope=test
# the JVM flags Chronicle needs, as declared once in the parent pom
FLAGS=$(sed -n 's:.*<medes.jvm.flags>\(.*\)</medes.jvm.flags>.*:\1:p' pom.xml)
exec java $FLAGS -cp medes-core/target/test-classes:medes-core/target/classes:$(cat medes-core/target/survey.cp) \
  org.medes.core.patch.PatchCodecSurvey "$@"
