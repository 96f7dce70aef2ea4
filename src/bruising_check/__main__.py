"""`python -m bruising_check` runs the command line."""

from bruising_check.cli import main

main()
