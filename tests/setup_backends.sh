#!/bin/sh
# Install what the local test backends need, when we can (root with apt).
# moto and kmock come from pip (the dev extra); the Docker engine from Debian.
need=""
command -v dockerd >/dev/null 2>&1 || need="$need docker.io"
dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
command -v tmux >/dev/null 2>&1 || need="$need tmux"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test backends:$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $need >/dev/null || {
    echo "apt-get install$need failed" >&2; [ "$CI" = true ] && exit 1; exit 0; }
else
  echo "not root: cannot install$need; Docker tests will skip (or fail with CI=true)" >&2
  [ "$CI" = true ] && exit 1
fi
exit 0
