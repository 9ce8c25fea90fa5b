"""``python -m digest`` → the command line."""
from .cli import run

run()
