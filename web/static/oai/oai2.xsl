<?xml version="1.0" encoding="UTF-8"?>
<!--
  A human view of the OAI-PMH feed: every response of /oai rendered as a readable HTML page
  (Dutch, with the protocol's English terms), for people who open the feed in a browser.
  Harvesters read the XML and never see this.

  XSLT 1.0, as browsers run it. No scripts, no inline styles and nothing from elsewhere:
  the page follows the site's Content-Security-Policy, which applies to the transformed
  document, so its look comes from the site's stylesheet and oai2.css, linked relative to
  /oai (the document's own URL). Links within the feed are relative too ("?verb=..."), so
  they stay on the endpoint whatever its public URL. All text from the feed is output as
  text (never disable-output-escaping); a value is only a link when it is an http(s) URL.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:oai="http://www.openarchives.org/OAI/2.0/"
    xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:id="http://www.openarchives.org/OAI/2.0/oai-identifier"
    exclude-result-prefixes="oai oai_dc dc id">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="verb" select="/oai:OAI-PMH/oai:request/@verb"/>
  <xsl:variable name="prefix">
    <xsl:choose>
      <xsl:when test="/oai:OAI-PMH/oai:request/@metadataPrefix">
        <xsl:value-of select="/oai:OAI-PMH/oai:request/@metadataPrefix"/>
      </xsl:when>
      <xsl:otherwise>oai_dc</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="nl">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>
          <xsl:text>OAI-PMH</xsl:text>
          <xsl:if test="$verb">
            <xsl:text>: </xsl:text>
            <xsl:value-of select="$verb"/>
          </xsl:if>
        </title>
        <link rel="icon" href="static/favicon.svg" type="image/svg+xml"/>
        <link rel="stylesheet" href="static/css/site.css"/>
        <link rel="stylesheet" href="static/oai/oai2.css"/>
      </head>
      <body>
        <header class="site-header">
          <div class="container oai-bar">
            <a href="./">Naar de site <span lang="en">(site)</span></a>
            <nav aria-label="OAI-PMH">
              <ul class="oai-verbs">
                <li><a href="?verb=Identify">Identify</a></li>
                <li><a href="?verb=ListSets">ListSets</a></li>
                <li><a href="?verb=ListMetadataFormats">ListMetadataFormats</a></li>
                <li><a href="?verb=ListIdentifiers&amp;metadataPrefix=oai_dc">ListIdentifiers</a></li>
                <li><a href="?verb=ListRecords&amp;metadataPrefix=oai_dc">ListRecords</a></li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="inhoud" class="container oai-page">
          <xsl:apply-templates select="oai:OAI-PMH"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="oai:OAI-PMH">
    <p class="oai-intro">
      <xsl:text>Dit is de OAI-PMH-feed van deze repository, leesbaar gemaakt. </xsl:text>
      <span lang="en">This is the repository's OAI-PMH feed, made readable.</span>
      <xsl:text> Harvesters lezen de XML; vraag in de browser de broncode op om die te zien.</xsl:text>
    </p>
    <xsl:apply-templates select="oai:error[1]"/>
    <xsl:apply-templates select="oai:Identify | oai:ListSets | oai:ListMetadataFormats | oai:ListIdentifiers
                                 | oai:ListRecords | oai:GetRecord"/>
    <xsl:apply-templates select="oai:request"/>
  </xsl:template>

  <xsl:template match="oai:request">
    <section class="oai-request" aria-labelledby="verzoek">
      <h2 id="verzoek">Verzoek <span lang="en">(request)</span></h2>
      <dl class="oai-fields">
        <dt>Base URL</dt>
        <dd><xsl:value-of select="."/></dd>
        <xsl:for-each select="@*">
          <dt><xsl:value-of select="name()"/></dt>
          <dd><xsl:value-of select="."/></dd>
        </xsl:for-each>
        <dt>Antwoorddatum <span lang="en">(responseDate)</span></dt>
        <dd><xsl:value-of select="../oai:responseDate"/></dd>
      </dl>
    </section>
  </xsl:template>

  <!-- errors (spec 3.6): all of them, under one heading -->
  <xsl:template match="oai:error">
    <section class="oai-error" aria-labelledby="fout">
      <h1 id="fout">Fout <span lang="en">(error)</span></h1>
      <ul>
        <xsl:for-each select="../oai:error">
          <li>
            <code><xsl:value-of select="@code"/></code>
            <xsl:text>: </xsl:text>
            <xsl:value-of select="."/>
          </li>
        </xsl:for-each>
      </ul>
    </section>
  </xsl:template>

  <xsl:template match="oai:Identify">
    <h1><xsl:value-of select="oai:repositoryName"/></h1>
    <p>Identificatie van de repository <span lang="en">(Identify)</span></p>
    <dl class="oai-fields">
      <dt>Base URL</dt>
      <dd><xsl:value-of select="oai:baseURL"/></dd>
      <dt>Protocolversie <span lang="en">(protocolVersion)</span></dt>
      <dd><xsl:value-of select="oai:protocolVersion"/></dd>
      <dt>Beheerder <span lang="en">(adminEmail)</span></dt>
      <dd>
        <xsl:for-each select="oai:adminEmail">
          <xsl:if test="position() &gt; 1"><xsl:text>, </xsl:text></xsl:if>
          <xsl:value-of select="."/>
        </xsl:for-each>
      </dd>
      <dt>Vroegste datum <span lang="en">(earliestDatestamp)</span></dt>
      <dd><xsl:value-of select="oai:earliestDatestamp"/></dd>
      <dt>Verwijderde records <span lang="en">(deletedRecord)</span></dt>
      <dd><xsl:value-of select="oai:deletedRecord"/></dd>
      <dt>Granulariteit <span lang="en">(granularity)</span></dt>
      <dd><xsl:value-of select="oai:granularity"/></dd>
      <xsl:for-each select="oai:compression">
        <dt>Compressie <span lang="en">(compression)</span></dt>
        <dd><xsl:value-of select="."/></dd>
      </xsl:for-each>
      <xsl:for-each select="oai:description/id:oai-identifier">
        <dt>Identifiers <span lang="en">(oai-identifier)</span></dt>
        <dd>
          <xsl:text>bijvoorbeeld </xsl:text>
          <code><xsl:value-of select="id:sampleIdentifier"/></code>
        </dd>
      </xsl:for-each>
    </dl>
  </xsl:template>

  <xsl:template match="oai:ListSets">
    <h1>Sets <span lang="en">(ListSets)</span></h1>
    <table class="oai-table">
      <thead>
        <tr>
          <th scope="col">Set <span lang="en">(setSpec)</span></th>
          <th scope="col">Naam <span lang="en">(setName)</span></th>
          <th scope="col">Records</th>
        </tr>
      </thead>
      <tbody>
        <xsl:for-each select="oai:set">
          <tr>
            <td><code><xsl:value-of select="oai:setSpec"/></code></td>
            <td>
              <xsl:value-of select="oai:setName"/>
              <xsl:for-each select="oai:setDescription/oai_dc:dc/dc:description">
                <br/>
                <span class="oai-muted"><xsl:value-of select="."/></span>
              </xsl:for-each>
            </td>
            <td>
              <a>
                <xsl:attribute name="href">
                  <xsl:text>?verb=ListRecords&amp;metadataPrefix=oai_dc&amp;set=</xsl:text>
                  <xsl:call-template name="encode">
                    <xsl:with-param name="text" select="oai:setSpec"/>
                  </xsl:call-template>
                </xsl:attribute>
                <xsl:text>Bekijk </xsl:text>
                <span class="visually-hidden"><xsl:value-of select="oai:setName"/></span>
              </a>
            </td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <xsl:template match="oai:ListMetadataFormats">
    <h1>Metadataformaten <span lang="en">(ListMetadataFormats)</span></h1>
    <table class="oai-table">
      <thead>
        <tr>
          <th scope="col">Prefix <span lang="en">(metadataPrefix)</span></th>
          <th scope="col">Namespace</th>
          <th scope="col">Schema</th>
        </tr>
      </thead>
      <tbody>
        <xsl:for-each select="oai:metadataFormat">
          <tr>
            <td>
              <a>
                <xsl:attribute name="href">
                  <xsl:text>?verb=ListRecords&amp;metadataPrefix=</xsl:text>
                  <xsl:call-template name="encode">
                    <xsl:with-param name="text" select="oai:metadataPrefix"/>
                  </xsl:call-template>
                </xsl:attribute>
                <xsl:value-of select="oai:metadataPrefix"/>
              </a>
            </td>
            <td><code><xsl:value-of select="oai:metadataNamespace"/></code></td>
            <td><code><xsl:value-of select="oai:schema"/></code></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <xsl:template match="oai:ListIdentifiers">
    <h1>Identifiers <span lang="en">(ListIdentifiers)</span></h1>
    <xsl:apply-templates select="oai:resumptionToken" mode="count"/>
    <ol class="oai-list">
      <xsl:for-each select="oai:header">
        <li><xsl:apply-templates select="."/></li>
      </xsl:for-each>
    </ol>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <xsl:template match="oai:ListRecords">
    <h1>Records <span lang="en">(ListRecords)</span></h1>
    <xsl:apply-templates select="oai:resumptionToken" mode="count"/>
    <ol class="oai-list">
      <xsl:for-each select="oai:record">
        <li><xsl:apply-templates select="."/></li>
      </xsl:for-each>
    </ol>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <xsl:template match="oai:GetRecord">
    <h1>Record <span lang="en">(GetRecord)</span></h1>
    <xsl:apply-templates select="oai:record"/>
  </xsl:template>

  <xsl:template match="oai:record">
    <article class="oai-record">
      <h2 class="oai-record-title">
        <xsl:choose>
          <xsl:when test="oai:metadata/oai_dc:dc/dc:title">
            <xsl:value-of select="oai:metadata/oai_dc:dc/dc:title[1]"/>
          </xsl:when>
          <xsl:when test="oai:metadata//*[local-name() = 'title']">
            <xsl:value-of select="normalize-space(oai:metadata//*[local-name() = 'title'][1])"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="oai:header/oai:identifier"/></xsl:otherwise>
        </xsl:choose>
      </h2>
      <xsl:apply-templates select="oai:header"/>
      <xsl:apply-templates select="oai:metadata"/>
    </article>
  </xsl:template>

  <xsl:template match="oai:header">
    <p class="oai-header">
      <a>
        <xsl:attribute name="href">
          <xsl:text>?verb=GetRecord&amp;metadataPrefix=</xsl:text>
          <xsl:call-template name="encode">
            <xsl:with-param name="text" select="$prefix"/>
          </xsl:call-template>
          <xsl:text>&amp;identifier=</xsl:text>
          <xsl:call-template name="encode">
            <xsl:with-param name="text" select="oai:identifier"/>
          </xsl:call-template>
        </xsl:attribute>
        <xsl:value-of select="oai:identifier"/>
      </a>
      <xsl:text> · </xsl:text>
      <time><xsl:value-of select="oai:datestamp"/></time>
      <xsl:if test="@status = 'deleted'">
        <xsl:text> · </xsl:text>
        <strong>verwijderd <span lang="en">(deleted)</span></strong>
      </xsl:if>
      <xsl:for-each select="oai:setSpec">
        <xsl:text> · </xsl:text>
        <code><xsl:value-of select="."/></code>
      </xsl:for-each>
    </p>
  </xsl:template>

  <xsl:template match="oai:metadata">
    <xsl:choose>
      <xsl:when test="oai_dc:dc">
        <dl class="oai-fields">
          <xsl:for-each select="oai_dc:dc/dc:*">
            <dt><xsl:value-of select="local-name()"/></dt>
            <dd><xsl:call-template name="value"/></dd>
          </xsl:for-each>
        </dl>
      </xsl:when>
      <xsl:otherwise>
        <details class="oai-payload">
          <summary>
            <xsl:text>Metadata </xsl:text>
            <code><xsl:value-of select="$prefix"/></code>
          </summary>
          <dl class="oai-fields">
            <xsl:for-each select=".//*[not(*) and normalize-space(.) != '']">
              <dt><xsl:value-of select="local-name(..)"/>/<xsl:value-of select="local-name()"/></dt>
              <dd><xsl:call-template name="value"/></dd>
            </xsl:for-each>
          </dl>
        </details>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "records 1-100 of 250": from the token's cursor and completeListSize where given -->
  <xsl:template match="oai:resumptionToken" mode="count">
    <xsl:if test="@completeListSize">
      <p class="oai-muted">
        <xsl:value-of select="@completeListSize"/>
        <xsl:text> in totaal </xsl:text>
        <span lang="en">(completeListSize)</span>
        <xsl:if test="@cursor">
          <xsl:text>, vanaf nummer </xsl:text>
          <xsl:value-of select="@cursor + 1"/>
        </xsl:if>
      </p>
    </xsl:if>
  </xsl:template>

  <xsl:template match="oai:resumptionToken">
    <nav class="oai-pager" aria-label="Pagina's">
      <xsl:choose>
        <xsl:when test="normalize-space(.) != ''">
          <a rel="next">
            <xsl:attribute name="href">
              <xsl:text>?verb=</xsl:text>
              <xsl:value-of select="$verb"/>
              <xsl:text>&amp;resumptionToken=</xsl:text>
              <xsl:call-template name="encode">
                <xsl:with-param name="text" select="normalize-space(.)"/>
              </xsl:call-template>
            </xsl:attribute>
            <xsl:text>Volgende pagina </xsl:text>
            <span lang="en">(next page)</span>
          </a>
          <xsl:if test="@expirationDate">
            <span class="oai-muted">
              <xsl:text> geldig tot </xsl:text>
              <xsl:value-of select="@expirationDate"/>
            </span>
          </xsl:if>
        </xsl:when>
        <xsl:otherwise>
          <span>Dit is de laatste pagina <span lang="en">(last page)</span></span>
        </xsl:otherwise>
      </xsl:choose>
    </nav>
  </xsl:template>

  <!-- a value, as a link when it is an http(s) URL -->
  <xsl:template name="value">
    <xsl:variable name="text" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="starts-with($text, 'https://') or starts-with($text, 'http://')">
        <a href="{$text}"><xsl:value-of select="$text"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Percent-encodes what would end or change a query value (XSLT 1.0 has no encode-for-uri).
       Tokens are URL-safe already; identifiers and set specs may hold these. -->
  <xsl:template name="encode">
    <xsl:param name="text"/>
    <xsl:variable name="c" select="substring($text, 1, 1)"/>
    <xsl:if test="$text != ''">
      <xsl:choose>
        <xsl:when test="$c = '%'">%25</xsl:when>
        <xsl:when test="$c = '&amp;'">%26</xsl:when>
        <xsl:when test="$c = '#'">%23</xsl:when>
        <xsl:when test="$c = '+'">%2B</xsl:when>
        <xsl:when test="$c = ' '">%20</xsl:when>
        <xsl:when test="$c = '='">%3D</xsl:when>
        <xsl:when test="$c = '?'">%3F</xsl:when>
        <xsl:otherwise><xsl:value-of select="$c"/></xsl:otherwise>
      </xsl:choose>
      <xsl:call-template name="encode">
        <xsl:with-param name="text" select="substring($text, 2)"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
