"""A tiny Python app for the python-app example: prints where it runs."""
import os
import platform
import sys

print("hello from Python %s as uid %d on %s" % (platform.python_version(), os.getuid(), sys.platform))
