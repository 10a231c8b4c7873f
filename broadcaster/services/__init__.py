"""What the CLI and the web desk both call: one function per user action.

Modules: `plan` (plan view), `air` (air now, emergency). Import the module you need: each pulls in only its own
layers, so a command's start-up stays light.
"""
