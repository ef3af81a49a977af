# Regression: curl-basic-auth's match starts at "curl" but its group
# (the --user value) lies after the Authorization header's finding. The
# text between was written with a negative length and the command failed
# ("write to stdout failed: Bad address", exit 2).
%name
scrub-group-order
%args
scrub
%stdin
curl -H "Authorization: Bearer q9Wm3ZkT7xLp2RbN5sYc8VdH1fJ4gUo6" --user "j.doe:Zk3m9Qv!T1pW#x" https://api.corp.test/m
%stdout
curl -H "Authorization: Bearer <AUTH_HEADER_1>" --user "<PASSWORD_1>" https://api.corp.test/m
%exit
0
