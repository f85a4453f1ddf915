"""Bundled resources: fonts and icons (data, installed as `station_desktop.bundled`)."""
