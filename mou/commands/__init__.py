"""The CLI's subcommands, one module per area; imported lazily by :mod:`mou.cli`."""
