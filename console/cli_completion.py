"""`opsconsole completion bash|zsh|fish`: shell completion scripts built from the parsers.

The scripts are generated from the same argparse parsers the commands use, so a new
flag or choice completes without editing this module.
"""

from __future__ import annotations

import argparse
import sys

SHELLS = ("bash", "zsh", "fish")


def _parsers() -> dict[str, argparse.ArgumentParser]:
    from checks.cli import build_parser as check_parser
    from console.cli_config import build_parser as config_parser
    from console.cli_help import build_parser as console_parser

    return {"": console_parser(), "check": check_parser(), "config": config_parser(), "completion": _own_parser()}


def _own_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="opsconsole completion", description="Print a shell completion script.")
    p.add_argument("shell", choices=SHELLS)
    return p


def _options(parser: argparse.ArgumentParser) -> list[tuple[str, tuple[str, ...] | None, bool, str]]:
    """(option, choices, takes a value, help) for every optional argument."""
    out = []
    for action in parser._actions:  # argparse has no public accessor for its actions
        for opt in action.option_strings:
            choices = tuple(str(c) for c in action.choices) if action.choices else None
            out.append((opt, choices, action.nargs != 0, (action.help or "").replace("'", "")))
    return out


FILE_OPTIONS = ("--config", "--output", "-o")


def _files_after(parser: argparse.ArgumentParser) -> list[str]:
    return [o for o, *_ in _options(parser) if o in FILE_OPTIONS]


def _free_after(parser: argparse.ArgumentParser) -> list[str]:
    """Options that take a value with no fixed choices and no file (a context, a profile)."""
    return [o for o, choices, takes, _ in _options(parser) if takes and not choices and o not in FILE_OPTIONS]


def _bash_case(name: str, parser: argparse.ArgumentParser, subs: list[str]) -> str:
    opts = [o for o, *_ in _options(parser)]
    words = " ".join(opts + (subs if not name else []) + (list(SHELLS) if name == "completion" else []))
    lines = [f"    '{name}')", '      case "$prev" in']
    lines += [f"        {o}) COMPREPLY=($(compgen -W '{' '.join(c)}' -- \"$cur\")); return;;"
              for o, c, _, _ in _options(parser) if c]
    if _files_after(parser):
        lines.append(f"        {'|'.join(_files_after(parser))}) COMPREPLY=($(compgen -f -- \"$cur\")); return;;")
    if _free_after(parser):
        lines.append(f"        {'|'.join(_free_after(parser))}) COMPREPLY=(); return;;")
    lines += ["      esac", f"      COMPREPLY=($(compgen -W '{words}' -- \"$cur\"))"]
    if name == "check":
        lines.append('      [[ "$cur" != -* ]] && COMPREPLY+=($(compgen -f -- "$cur"))')
    lines.append("      ;;")
    return "\n".join(lines) + "\n"


def bash() -> str:
    parsers = _parsers()
    subs = [k for k in parsers if k]
    return ("# bash completion for opsconsole (opsconsole completion bash)\n"
            "_opsconsole() {\n"
            "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" sub='' w\n"
            "  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n"
            f"    case \"$w\" in {'|'.join(subs)}) sub=\"$w\"; break;; esac\n"
            "  done\n"
            "  case \"$sub\" in\n" + "".join(_bash_case(n, p, subs) for n, p in parsers.items()) + "  esac\n}\n"
            "complete -o filenames -F _opsconsole opsconsole\n")


def zsh() -> str:
    parsers = _parsers()
    blocks = []
    for name, parser in parsers.items():
        specs = []
        for opt, choices, takes, help_ in _options(parser):
            help_ = help_.replace("[", "(").replace("]", ")").replace(":", " ")
            if choices:
                specs.append(f"'{opt}[{help_}]:value:({' '.join(choices)})'")
            elif opt in FILE_OPTIONS:
                specs.append(f"'{opt}[{help_}]:file:_files'")
            elif takes:
                specs.append(f"'{opt}[{help_}]:value: '")
            else:
                specs.append(f"'{opt}[{help_}]'")
        if name == "":
            specs.append("'1:command:(check config completion)'")
        elif name == "check":
            specs.append("'*:path:_files'")
        elif name == "completion":
            specs.append(f"'1:shell:({' '.join(SHELLS)})'")
        blocks.append(f"    {name or 'main'})\n      _arguments -s \\\n        " + " \\\n        ".join(specs) + "\n      ;;\n")
    return ("#compdef opsconsole\n# zsh completion for opsconsole (opsconsole completion zsh)\n"
            "_opsconsole() {\n  local sub=main w\n"
            "  for w in ${words[2,CURRENT-1]}; do\n"
            "    case $w in check|config|completion) sub=$w; break;; esac\n  done\n"
            "  if [[ $sub != main ]]; then shift words; (( CURRENT-- )); fi\n"
            "  case $sub in\n" + "".join(blocks) + "  esac\n}\n"
            "compdef _opsconsole opsconsole\n")


def fish() -> str:
    parsers = _parsers()
    lines = ["# fish completion for opsconsole (opsconsole completion fish)", "complete -c opsconsole -f"]
    subs = [k for k in parsers if k]
    lines.append(f"complete -c opsconsole -n 'not __fish_seen_subcommand_from {' '.join(subs)}' -a '{' '.join(subs)}'")
    for name, parser in parsers.items():
        cond = (f"not __fish_seen_subcommand_from {' '.join(subs)}" if not name
                else f"__fish_seen_subcommand_from {name}")
        for opt, choices, takes, help_ in _options(parser):
            flag = f"-l {opt[2:]}" if opt.startswith("--") else f"-s {opt[1:]}"
            extra = f" -x -a '{' '.join(choices)}'" if choices else (" -r -F" if opt in FILE_OPTIONS else (" -x" if takes else ""))
            lines.append(f"complete -c opsconsole -n '{cond}' {flag}{extra} -d '{help_[:60]}'")
    lines.append(f"complete -c opsconsole -n '__fish_seen_subcommand_from completion' -x -a '{' '.join(SHELLS)}'")
    lines.append("complete -c opsconsole -n '__fish_seen_subcommand_from check' -F")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    args = _own_parser().parse_args(argv)
    sys.stdout.write({"bash": bash, "zsh": zsh, "fish": fish}[args.shell]())
    return 0
