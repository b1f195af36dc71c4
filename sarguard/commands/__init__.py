"""One module per ``sarguard`` subcommand: ``add_arguments(parser)`` and ``run(args) -> int``."""
