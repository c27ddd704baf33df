from checker.cli import app

app()
