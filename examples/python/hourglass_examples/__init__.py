"""The user's guide's patterns as runnable Python on the official Temporal SDK, run against Hourglass."""
