"""`stepwise bench`: figures measured beside a baseline from the same run."""
