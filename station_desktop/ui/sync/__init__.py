"""The window's side of USB sync: the Sync page (send, receive, key cards and trust) and
the Conflicts page. Talks to `app.sync` in plain values only."""
