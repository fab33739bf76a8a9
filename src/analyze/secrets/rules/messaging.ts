import type { SecretRule } from '../rule.js';

/**
 * Messaging and e-mail services. Slack ("Token types"): xoxb- bot, xoxp-
 * user, xoxa-/xoxr- (app and refresh), xoxs- session tokens, xapp- app-level
 * tokens, and incoming webhooks under hooks.slack.com. Twilio: API key SIDs
 * SK + 32 hex (with their secret they authenticate), account SIDs AC + 32 hex
 * (reported only in files that mention Twilio, where the auth token is
 * usually next to them). SendGrid: SG.<22>.<43>. Mailgun legacy private keys
 * key-<32>. Telegram Bot API: <bot id>:<35 characters starting AA>. Discord
 * bot tokens (base64 user id . timestamp . HMAC) and webhooks.
 */
export const MESSAGING_RULES: readonly SecretRule[] = [
  {
    id: 'slack-token',
    category: 'messaging',
    title: 'Slack token',
    severity: 'critical',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xoxe-'],
    // Dash-separated groups of alphanumerics: the group cannot contain its separator, so no backtracking blow-up.
    regex: /(?<![A-Za-z0-9_-])(?<secret>xox[abeprs]-(?:[0-9A-Za-z]{1,40}-){1,5}[0-9A-Za-z]{8,64})(?![A-Za-z0-9_-])/g,
    entropy: 3,
    examples: {
      positives: [
        'SLACK_BOT_TOKEN=xoxb-901167018643-7224095528461-POi09K9BPmPBHnWpWYD8EWEP',
        'token: "xoxp-252148454723-377050245487-0040097108622-d3ef126249685210bc43883bf67bd6fb"',
      ],
      negatives: [
        'xoxb-your-token-here',
        'xoxb-XXXXXXXXXXXX-XXXXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXX',
        'xoxq-901167018643-7224095528461-POi09K9BPmPBHnWpWYD8EWEP',
      ],
    },
  },
  {
    id: 'slack-app-token',
    category: 'messaging',
    title: 'Slack app-level token',
    severity: 'high',
    keywords: ['xapp-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>xapp-\d-[A-Z0-9]{8,16}-\d{10,16}-[a-f0-9]{32,80})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: ['SLACK_APP_TOKEN=xapp-1-A04BCDE1F2G-4630802327241-d3ef126249685210bc43883bf67bd6fb3a1c'],
      negatives: ['xapp-1-A04BCDE1F2G'],
    },
  },
  {
    id: 'slack-webhook-url',
    category: 'messaging',
    title: 'Slack incoming webhook URL',
    severity: 'high',
    keywords: ['hooks.slack.com'],
    regex: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9+/_-]{40,160})/g,
    entropy: 3.5,
    examples: {
      positives: ['SLACK_WEBHOOK=https://hooks.slack.com/services/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'],
      negatives: [
        'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
        'https://api.slack.com/messaging/webhooks',
      ],
    },
  },
  {
    id: 'twilio-api-key',
    category: 'messaging',
    title: 'Twilio API key SID',
    severity: 'high',
    keywords: ['sk'],
    regex: /(?<![A-Za-z0-9])(?<secret>SK[0-9a-f]{32})(?![A-Za-z0-9])/g,
    entropy: 3,
    examples: {
      positives: ['TWILIO_API_KEY=SKa2601980c96d8b2e2623d91d2288bf7f'],
      negatives: ['SKA2601980C96D8B2E2623D91D2288BF7F', 'SK00000000000000000000000000000000', 'SKa2601980c96d8b'],
    },
  },
  {
    id: 'twilio-account-sid',
    category: 'messaging',
    title: 'Twilio account SID',
    severity: 'medium',
    keywords: ['twilio'],
    regex: /(?<![A-Za-z0-9])(?<secret>AC[0-9a-f]{32})(?![A-Za-z0-9])/g,
    entropy: 3,
    examples: {
      positives: ['TWILIO_ACCOUNT_SID=AC4bf0b03dbe8302240e4f6c62b1c39179'],
      negatives: ['TWILIO_ACCOUNT_SID=ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AC4bf0b03dbe8302240e4f6c62b1c39179'],
    },
  },
  {
    id: 'twilio-auth-token',
    category: 'messaging',
    title: 'Twilio auth token',
    severity: 'critical',
    keywords: ['twilio'],
    regex:
      /(?<![A-Za-z0-9])twilio[_.-]?(?:auth[_.-]?)?token["']?\s{0,8}(?:=|:=|:|=>)\s{0,8}["']?(?<secret>[0-9a-f]{32})(?![A-Za-z0-9])/gi,
    entropy: 3,
    examples: {
      positives: ['TWILIO_AUTH_TOKEN=d3ef126249685210bc43883bf67bd6fb'],
      negatives: ['TWILIO_AUTH_TOKEN=your_auth_token'],
    },
  },
  {
    id: 'sendgrid-api-key',
    category: 'messaging',
    title: 'SendGrid API key',
    severity: 'critical',
    keywords: ['sg.'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: ['SENDGRID_API_KEY=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'],
      negatives: ['SG.drUzAXFfDAfI7ByXrG5o52', 'SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'mailgun-api-key',
    category: 'messaging',
    title: 'Mailgun private API key',
    severity: 'high',
    keywords: ['key-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>key-[0-9a-z]{32})(?![A-Za-z0-9_-])/g,
    entropy: 3.5,
    examples: {
      positives: ['MAILGUN_API_KEY=key-7n36xdgp0unupgwynyjwwy1iqqmosx2t'],
      negatives: [
        'key-value-store',
        'key-00000000000000000000000000000000',
        'primary-key-constraint-name-for-the-users',
      ],
    },
  },
  {
    id: 'telegram-bot-token',
    category: 'messaging',
    title: 'Telegram bot token',
    severity: 'high',
    keywords: [':aa'],
    regex: /(?<![A-Za-z0-9_:-])(?<secret>\d{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: ['TELEGRAM_BOT_TOKEN=2179915291:AAyabK0FyTwpn-wwjTKOP1JPq6oH6Z5UjTf'],
      negatives: ['2179915291:AAyabK0FyTwpn', '12:34:AAyabK0FyTwpn-wwjTKOP1JPq6oH6Z5UjTf'],
    },
  },
  {
    id: 'discord-bot-token',
    category: 'messaging',
    title: 'Discord bot token',
    severity: 'high',
    keywords: ['discord'],
    regex:
      /(?<![A-Za-z0-9_.-])(?<secret>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?![A-Za-z0-9_.-])/g,
    entropy: 4,
    examples: {
      positives: ['DISCORD_TOKEN=MTBuzbl64PyuIEjBfNb4QiibuH.B_fmBw.lswjuNvXZmAIu_YTMfzP_3G-Hz30ql4mTDMLtK'],
      negatives: ['discord: MTBuzbl64PyuIEjBfNb4QiibuH.B_fmBw', 'discord.js version Node.js'],
    },
  },
  {
    id: 'discord-webhook-url',
    category: 'messaging',
    title: 'Discord webhook URL',
    severity: 'high',
    keywords: ['discord'],
    regex: /discord(?:app)?\.com\/api\/webhooks\/\d{17,20}\/(?<secret>[A-Za-z0-9_-]{60,68})(?![A-Za-z0-9_-])/g,
    examples: {
      positives: [
        'https://discord.com/api/webhooks/5630802327241244531/zHJWFTrW1pIhdlgyAv_AVJWtgQ16rZnd_9Z2CAKbDQsEFdzrnpvA40YLbvkcBv9Q2wKu',
      ],
      negatives: ['https://discord.com/api/webhooks/{webhook.id}/{webhook.token}'],
    },
  },
];
