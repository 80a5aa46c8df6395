"""Where the oracle tests and bench/rules_bench.py find our rules as pabutools computes them; the code
lives in the package (server/commands/pabutools_recount.py) so that `dauys verify --pabutools` has it too."""

from server.commands.pabutools_recount import RULES, run  # noqa: F401
