#!/bin/sh
# The push receiver as a CGI program: a web server runs a file, not a command line, so this
# wrapper names the database. Install it where the web server runs CGI, executable, and run
# it as the webhost user (the tokens' file is that user's alone, 0600): Apache's suEXEC
# (SuexecUserGroup webhost webhost), or a lighttpd/fcgiwrap running as webhost.
# Without a way to run CGI as webhost, use `webhost serve` (webhost-serve.service) instead.
exec /usr/bin/webhost --db /var/lib/webhost/webhost.db receive
