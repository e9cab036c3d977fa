"""The inspectors' web application: cases to read, decisions to record (issue 13, slice 1).

``app.create_app`` builds the application from an engine and the users; ``serve`` runs it.
"""
