#!/bin/sh
# Rebuilds the committed libtandem_mkl_amd.so (Linux x86_64) from tandem_mkl_amd.c. Run from the
# repository root; needs a C compiler and a JDK's headers. The Maven build only packages the result.
set -eu
JH="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
OUT=engine-djl/src/main/resources/dev/tandem/engine/djl/native/linux-x86_64
mkdir -p "$OUT"
cc -O2 -shared -fPIC -s -I"$JH/include" -I"$JH/include/linux" \
  -o "$OUT/libtandem_mkl_amd.so" engine-djl/src/main/native/tandem_mkl_amd.c -Wl,--no-as-needed -ldl
ls -l "$OUT/libtandem_mkl_amd.so"
