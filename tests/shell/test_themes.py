from themes import ANSI, DARK, auto_theme


def test_auto_theme_few_colours():
    assert auto_theme({"TERM": "xterm"}) == ANSI.name
    assert auto_theme({"TERM": "screen"}) == ANSI.name
    assert auto_theme({"TERM": "xterm-256color", "NO_COLOR": "1"}) == ANSI.name
    assert auto_theme({"TERM": "xterm-256color"}) == DARK.name
    assert auto_theme({"TERM": "screen", "COLORTERM": "truecolor"}) == DARK.name
