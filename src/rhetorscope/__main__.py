"""`python -m rhetorscope` runs the CLI."""

from rhetorscope.cli import main

main()
