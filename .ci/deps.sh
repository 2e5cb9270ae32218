#!/bin/sh
# Makes sure the build's Debian packages are present. As root it installs what is missing;
# otherwise it prints the exact command and fails. Quiet when everything is there.
need=""
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
if command -v pkg-config >/dev/null 2>&1; then
  pkg-config --exists libfyaml || need="$need libfyaml-dev"
  pkg-config --exists cmocka || need="$need libcmocka-dev"
else
  need="$need libfyaml-dev libcmocka-dev"
fi
command -v cc >/dev/null 2>&1 || need="$need gcc"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "kafkasim: installing$need" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq $need >&2 && exit 0
  echo "kafkasim: apt-get install$need failed" >&2
  exit 1
fi
echo "kafkasim: missing$need; install with:" >&2
echo "  sudo apt-get install -y$need" >&2
exit 1
