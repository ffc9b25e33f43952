"""Subcommands of the `designkit` CLI, one module per area."""
