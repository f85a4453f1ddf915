"""Record editors built from form specifications (`station_desktop.forms`)."""
