"""`python -m retirelink` → the CLI. Guarded: reader processes are spawned, and a spawned
process imports the main module again; it must not run the CLI a second time."""

from retirelink.cli import main

if __name__ == "__main__":
    main()
