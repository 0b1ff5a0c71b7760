#!/bin/sh
# Install what the local test backends need, when we can (root with apt).
# moto and kmock come from pip (the dev extra); the Docker engine and sshd from Debian.
need=""
command -v dockerd >/dev/null 2>&1 || need="$need docker.io"
dpkg -s busybox-static >/dev/null 2>&1 || need="$need busybox-static"
command -v tmux >/dev/null 2>&1 || need="$need tmux"
# Docker over ssh:// (tests/fixtures/sshd.py): a throwaway sshd on 127.0.0.1 and the ssh client
[ -x /usr/sbin/sshd ] || need="$need openssh-server"
command -v ssh >/dev/null 2>&1 || need="$need openssh-client"
# the zsh and fish completion scripts are parsed (and fish's run) by tests/shell/test_cli.py
command -v zsh >/dev/null 2>&1 || need="$need zsh"
command -v fish >/dev/null 2>&1 || need="$need fish"
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
