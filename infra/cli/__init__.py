"""The `stepwise` command (infra.cli.app) and its subcommands, one module each."""
