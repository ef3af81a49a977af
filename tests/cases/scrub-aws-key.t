%name
scrub-aws-key
%args
scrub
%stdin
aws_access_key_id = AKIAZ3MHALXPQ5TBGR2N
aws_secret_access_key = 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
%stdout
aws_access_key_id = <AWS_ACCESS_KEY_1>
aws_secret_access_key = <AWS_SECRET_KEY_1>
%exit
0
