"""Private implementations of the verbs; ``dbmigrate_magic.api`` is the public surface."""
