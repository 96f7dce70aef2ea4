"""bruising-check: follow a local bruising-in-non-mobile-infants protocol, written as YAML.

The tool supports, and does not replace, professional judgement and the local procedure.
"""

__version__ = "0.1.0"

STATEMENT = (
    "This tool supports, and does not replace, professional judgement and the local procedure."
)
"""Said on every printout, screen result and report; one copy, imported everywhere."""
