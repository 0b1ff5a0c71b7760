"""Backend adapters: plain synchronous classes, no Textual imports.

Adapters return frozen dataclasses from ``console.models`` and raise ``console.errors``;
SDK objects never leave this package. Import adapter modules lazily (inside workers):
SDK imports must not delay the first frame.
"""
