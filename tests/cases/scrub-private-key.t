# A multi-line PEM block becomes one placeholder.
%name
scrub-private-key
%args
scrub
%stdin
key:
-----BEGIN RSA PRIVATE KEY-----
MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu
KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm
-----END RSA PRIVATE KEY-----
done
%stdout
key:
<PRIVATE_KEY_1>
done
%exit
0
