# Regression (rules/pii.json, ip-v4): the lookbehind (?<!ver ) meant
# for "ver 1.2.3.4" also matched the end of "server ", so an address
# after the word "server" (or "observer") was not redacted.
%name
scrub-ip-after-server
%args
scrub
%stdin
host 203.0.113.7 up
server 203.0.113.7 up
observer 198.51.100.23
%stdout
host <IP_ADDRESS_1> up
server <IP_ADDRESS_1> up
observer <IP_ADDRESS_2>
%exit
0
