# The documentation key is on the rule's allow list.
%name
scrub-aws-example-kept
%args
scrub
%stdin
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
%stdout
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
%exit
0
