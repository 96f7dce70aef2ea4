"""`python -m bruising_check`, and the `bruising-check` command, run the command line."""

import gc


def run() -> None:
    """Importing the command line (typer and its parser) makes tens of thousands of objects that
    live as long as the command and no garbage; the cycle collector walked them about 30 times
    while they were made (about 4 ms). It is off while they are made; `main` then sets them
    aside with the rest of start-up (issue 15.4)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        from bruising_check.cli import main
    finally:
        if enabled:
            gc.enable()
    main()


if __name__ == "__main__":
    run()
