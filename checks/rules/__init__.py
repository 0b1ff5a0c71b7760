"""Rule packs; each module registers its rules with ``checks.registry`` on import."""
