# Placeholder-shaped input gets one more backslash, so that a restore
# can never turn attacker text into a real value.
%name
scrub-placeholder-escape
%args
scrub
%stdin
<EMAIL_1> <\EMAIL_1> <\\CREDIT_CARD_2> <b> <EMAIL> x<PHONE_9>y
%stdout
<\EMAIL_1> <\\EMAIL_1> <\\\CREDIT_CARD_2> <b> <EMAIL> x<\PHONE_9>y
%exit
0
