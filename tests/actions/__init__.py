"""Tests of the guarded-action path: journal, runner, modals, viewer."""
