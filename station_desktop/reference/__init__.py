"""Reference data that comes with the installation (no Qt, no storage): the stations."""
