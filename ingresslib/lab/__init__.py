"""The edge lab: a stack proved by real traffic on loopback (issue 17)."""
