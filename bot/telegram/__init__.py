"""The Telegram edge: PTB Application, command handlers, message formatting."""
