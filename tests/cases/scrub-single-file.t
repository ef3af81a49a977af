%name
scrub-single-file
%args
scrub fixtures/mixed.txt
%stdout
Support ticket #48213 (all people and values below are invented)

From: Maria Gonzalez <<EMAIL_1>>
To: <EMAIL_2>
Subject: card declined, please call me at <PHONE_1>

Hi, my card <CREDIT_CARD_1> was declined twice. My SSN: <US_SSN_1>
in case you need it, and the refund should go to IBAN: <IBAN_1>.
DOB: <DATE_1>. The login came from client_ip=<IP_ADDRESS_1> at 09:14.

--- pasted config (oops) ---
DATABASE_URL=postgres://app:<URL_CREDENTIALS_1>@db.internal:5432/app
GITHUB_TOKEN=<GITHUB_TOKEN_1>
aws_access_key_id = <AWS_ACCESS_KEY_1>
aws_secret_access_key = <AWS_SECRET_KEY_1>
documentation key AKIAIOSFODNN7EXAMPLE stays (allow list)
SLACK_BOT_TOKEN=<SLACK_TOKEN_1>
STRIPE_SECRET_KEY=<STRIPE_KEY_1>
token=<JWT_1>
eth0 link/ether <MAC_ADDRESS_1>
<PRIVATE_KEY_1>
--- end ---

Already redacted text must not be trusted: <\EMAIL_1> and <\\CREDIT_CARD_2>.
Thanks, Maria (<EMAIL_1>)
%exit
0
