# Different values of one type get _1, _2, ...; each type counts alone.
%name
scrub-numbering
%args
scrub
%stdin
a jane.doe@corp.example b john.roe@corp.example c jane.doe@corp.example
cards 4111 1111 1111 1111 and 5555 5555 5555 4444 and 4111 1111 1111 1111
%stdout
a <EMAIL_1> b <EMAIL_2> c <EMAIL_1>
cards <CREDIT_CARD_1> and <CREDIT_CARD_2> and <CREDIT_CARD_1>
%exit
0
