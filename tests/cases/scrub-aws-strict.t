# --strict ignores allow lists.
%name
scrub-aws-strict
%args
scrub --strict
%stdin
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
%stdout
aws_access_key_id = <AWS_ACCESS_KEY_1>
%exit
0
