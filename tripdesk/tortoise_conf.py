"""Tortoise config for the `tortoise` command line (makemigrations):
`tortoise -c tripdesk.tortoise_conf.TORTOISE_ORM makemigrations`."""

from support.settings import get_settings
from tripdesk.db import tortoise_config

TORTOISE_ORM = tortoise_config(get_settings().database_url)
