#!/bin/sh
# model/ is a pure state machine (style.md 1): it must not read a clock, draw from libc's
# random functions, print, or touch files. Fails listing every offending line.
bad=$(grep -nE '\b(time|clock|clock_gettime|gettimeofday|rand|random|srand|srandom|drand48|printf|fprintf|puts|fputs|putchar|fopen|fclose|fwrite|fread|open|read|write|getenv|exit|abort)[[:space:]]*\(|#include[[:space:]]*<(stdio|time|sys/time|unistd|fcntl)\.h>|\b(stdout|stderr|stdin)\b' model/*.c model/*.h 2>/dev/null)
if [ -n "$bad" ]; then
  echo "tidy: model/ must not use a clock, rand, stdio or files:"
  echo "$bad"
  exit 1
fi
n=$(ls model/*.c model/*.h 2>/dev/null | wc -l)
echo "tidy: model/ is pure ($n files checked)"
