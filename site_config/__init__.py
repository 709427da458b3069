"""How the help centre is assembled: settings, content schema, MkDocs hooks, build and CLI."""
