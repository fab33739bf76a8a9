'use strict';
const config = require('./config');

function login(user, password) {
  const token = createToken(user.id);
  const apiKey = process.env.API_KEY;
  const secret = config.jwt.secret;
  if (line === '-----BEGIN RSA PRIVATE KEY-----') return parsePem(lines);
  return { token: token, password_min_length: 12, tokenizer: 'word' };
}

const keyValueStore = 'key-value-store';
const disk = 'task-mask-ask';
module.exports = { login };
