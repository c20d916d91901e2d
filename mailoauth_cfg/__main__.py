"""``python -m mailoauth_cfg``."""

from mailoauth_cfg.cli import main

main()
