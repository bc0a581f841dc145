"""The app's widgets: each does one job and talks to its screen through messages."""
