# --stats prints findings per rule to stderr; stdout is unchanged.
%name
scrub-stats
%args
scrub --stats
%stdin
a jane.doe@corp.example b john.roe@corp.example c jane.doe@corp.example
card 4111 1111 1111 1111
%stdout
a <EMAIL_1> b <EMAIL_2> c <EMAIL_1>
card <CREDIT_CARD_1>
%stderr
         3  email                            EMAIL
         1  credit-card                      CREDIT_CARD
         4  total
%exit
0
