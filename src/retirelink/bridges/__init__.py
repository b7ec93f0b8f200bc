"""Adapters that let one feature use another through its ports (the feature packages do not
import each other; the composition root wires these in)."""
